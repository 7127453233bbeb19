/** Request and response records of the native and OpenAI-compatible APIs, and their JSON configuration. */
package io.mbllm.server.api;
