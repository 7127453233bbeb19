/** The Ollama- and OpenAI-compatible HTTP server, model store and scheduling (issue 5). */
package io.mbllm.server;
