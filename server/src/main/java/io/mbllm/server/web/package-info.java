/**
 * The browser page served at {@code /}: chat and compare views as plain HTML, CSS and JavaScript bundled under
 * {@code io/mbllm/server/web/} in the jar (no framework, nothing fetched from elsewhere at run time).
 */
package io.mbllm.server.web;
