/**
 * Model creation ({@code POST /api/create} without the HTTP): resolve the source (uploaded GGUF blobs or a base
 * model), quantize on request or when the tag names a level, add template/system/params/messages/license
 * layers, and commit the manifest through the {@link io.mbllm.server.store.ModelStore}, reporting Ollama's
 * progress statuses on the way.
 */
package io.mbllm.server.create;
