/** Model families, tokenizers, chat templates, sampling and the KV cache (issue 3). */
package io.mbllm.engine;
