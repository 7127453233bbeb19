/** The Netty HTTP server: pipeline, routing, guards and the endpoint handlers of both APIs. */
package io.mbllm.server.http;
