package io.mbllm.server.api;

/** A progress line of pull/create ({@code {"status":"success"}}). */
public record StatusResponse(String status) {}
