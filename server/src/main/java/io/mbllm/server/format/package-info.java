/** Structured output: JSON grammars compiled from {@code format}, enforced by masking logits token by token. */
package io.mbllm.server.format;
