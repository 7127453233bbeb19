/** Tool calling: finding tool calls in model output, and holding them back from streamed text. */
package io.mbllm.server.tools;
