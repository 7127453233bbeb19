/**
 * Go {@code text/template} in Java, and Ollama's prompt-template layer on top of it.
 *
 * <p>{@link io.mbllm.engine.template.go.GoTemplate} parses and executes templates with Go's semantics
 * (lexer, parser with Go's parse-time checks, executor, fmt-compatible printing). Data: {@code Map} =
 * {@code map[string]any}, records = structs (field {@code .Role} reads component {@code role} or
 * {@code Role}), {@code List}/arrays = slices, null = nil; integer types are Go ints, Float/Double are Go
 * floats (so {@code eq 1 1.0} is an error, as in Go).
 *
 * <p>{@link io.mbllm.engine.template.go.PromptTemplate} renders chats the way Ollama's template package
 * does (messages mode, legacy per-turn mode with the Response cut, fill-in-middle) and derives the
 * tools/insert/thinking capabilities.
 *
 * <p>Known differences from Go/Ollama, by design:
 * <ul>
 *   <li>Missing map keys yield nil (printed {@code <no value>}) as Go does for {@code map[string]any}; a
 *       field of nil is an error. Unknown record fields are errors (Go: unknown struct fields).</li>
 *   <li>Methods on data values cannot be called; use {@link io.mbllm.engine.template.go.GoStringer} to
 *       control printing and {@link io.mbllm.engine.template.go.GoFunction} values with {@code call}.</li>
 *   <li>Complex constants and the {@code %x} verb on floats are not supported; {@code len}, {@code index}
 *       and {@code slice} on strings count UTF-8 bytes like Go.</li>
 *   <li>{@code template} calls nest at most {@code Executor.MAX_DEPTH} deep and control structures or
 *       parentheses at most {@code Parser.MAX_NESTING}; output is capped at 64 Mi characters.</li>
 *   <li>Syntax errors carry line and column (Go prints only the line); execution errors name the whole
 *       action rather than the failing sub-node.</li>
 *   <li>Ollama rejects {@code {{template "x"}}} without an argument ("undefined template specified") and its
 *       legacy final turn runs without the extra functions; mbllm accepts and keeps them.</li>
 * </ul>
 */
package io.mbllm.engine.template.go;
