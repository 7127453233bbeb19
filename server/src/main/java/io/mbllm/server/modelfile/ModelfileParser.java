package io.mbllm.server.modelfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Parses Modelfile text with the grammar of modelfile.md §1–§4 (Ollama's {@code parser/parser.go} state
 * machine): {@code #} comments where an instruction would start, case-insensitive ASCII keywords followed by a
 * space or tab, values trimmed and un-quoted ({@code """…"""} or {@code "…"}, possibly spanning lines, no
 * escape sequences), and {@code PARAMETER} values typed per §4.
 *
 * <p>Errors ({@link ModelfileException}); documented Ollama texts, with the line prefix where a line applies:
 * <ul>
 *   <li>{@code (line N): command must be one of "from", "license", "template", "system", "adapter", "draft",
 *       "renderer", "parser", "parameter", "message", or "requires"}</li>
 *   <li>{@code (line N): message role must be one of "system", "user", or "assistant"}</li>
 *   <li>{@code (line N): unknown parameter 'x'}, {@code (line N): invalid float value [x]},
 *       {@code (line N): invalid int value [x]}, {@code (line N): invalid bool value [x]}</li>
 *   <li>{@code (line N): requires must be a valid semver (e.g. 0.14.0)}</li>
 *   <li>{@code unexpected EOF: <unterminated value>} and {@code no FROM line} (no line)</li>
 * </ul>
 * mbllm's own texts where Ollama has none or a misleading one: {@code (line N): missing value for PARAMETER x},
 * {@code (line N): invalid character 'c' in parameter name}, {@code (line N): missing text for MESSAGE},
 * {@code (line N): FROM needs a model name or a path}, {@code (line N): ADAPTER needs a path}.
 *
 * <p>Differences from Ollama, by design: {@code ADAPTER} lines accumulate (several adapters, each optionally
 * {@code PATH:SCALE}, see {@link AdapterLine}); Ollama keeps the last one. A CR LF pair counts as one line for error positions; extra blanks
 * between {@code PARAMETER}/{@code MESSAGE} and the name/role are skipped; non-printable characters in values
 * are kept (Ollama drops them); {@code DRAFT}, {@code RENDERER} and {@code PARSER} are accepted and ignored
 * with a warning; deprecated parameters are dropped with {@code warning: parameter X is deprecated}.
 */
public final class ModelfileParser {
    private ModelfileParser() {
    }

    /** The error text for an unknown instruction. */
    public static final String INVALID_COMMAND = "command must be one of \"from\", \"license\", \"template\", "
            + "\"system\", \"adapter\", \"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"";
    /** The error text for a MESSAGE role other than system/user/assistant. */
    public static final String INVALID_ROLE = "message role must be one of \"system\", \"user\", or \"assistant\"";
    /** The error text for a file without FROM. */
    public static final String MISSING_FROM = "no FROM line";
    /** The error text for an invalid REQUIRES version. */
    public static final String INVALID_REQUIRES = "requires must be a valid semver (e.g. 0.14.0)";

    /** Largest Modelfile {@link #parse(Path, Consumer)} reads. */
    public static final long MAX_FILE_BYTES = 64L << 20;

    private static final Set<String> COMMANDS = Set.of("from", "license", "template", "system", "adapter", "draft",
            "renderer", "parser", "parameter", "message", "requires");

    // golang.org/x/mod/semver validity, with the leading "v" optional.
    private static final String NUM = "(?:0|[1-9][0-9]*)";
    private static final String PRE_ID = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";
    private static final Pattern SEMVER = Pattern.compile("v?" + NUM + "(?:\\." + NUM + "(?:\\." + NUM
            + "(?:-" + PRE_ID + "(?:\\." + PRE_ID + ")*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?)?)?");

    private enum State { NIL, COMMENT, NAME, PARAMETER, ROLE, VALUE }

    /** Parses {@code text}, dropping warnings. */
    public static Modelfile parse(String text) throws ModelfileException {
        return parse(text, w -> { });
    }

    /** Parses {@code text}; warnings (deprecated parameters, ignored instructions) go to {@code warnings}. */
    public static Modelfile parse(String text, Consumer<String> warnings) throws ModelfileException {
        Builder out = new Builder(warnings);
        State st = State.NIL;
        StringBuilder buf = new StringBuilder();
        String command = "";
        String paramName = "";
        String role = "";
        int line = 1;
        int valueLine = 1;
        int n = text.length();
        for (int i = 0; i <= n; i++) {
            boolean eof = i == n;
            char c = eof ? 0 : text.charAt(i);
            boolean newline = c == '\n' || c == '\r';
            boolean blank = c == ' ' || c == '\t';
            switch (st) {
                case NIL -> {
                    if (c == '#') {
                        st = State.COMMENT;
                    } else if (isLetter(c)) {
                        st = State.NAME;
                        buf.setLength(0);
                        buf.append(c);
                    } else if (!eof && !newline && !blank) {
                        throw new ModelfileException(line, INVALID_COMMAND);
                    }
                }
                case COMMENT -> {
                    if (newline) {
                        st = State.NIL;
                    }
                }
                case NAME -> {
                    if (isLetter(c)) {
                        buf.append(c);
                    } else if (blank) {
                        command = buf.toString().toLowerCase(Locale.ROOT);
                        if (!COMMANDS.contains(command)) {
                            throw new ModelfileException(line, INVALID_COMMAND);
                        }
                        st = switch (command) {
                            case "parameter" -> State.PARAMETER;
                            case "message" -> State.ROLE;
                            default -> State.VALUE;
                        };
                        buf.setLength(0);
                        valueLine = line;
                    } else {
                        throw new ModelfileException(line, INVALID_COMMAND);
                    }
                }
                case PARAMETER -> {
                    if (isLetter(c) || (c >= '0' && c <= '9') || c == '_') {
                        buf.append(c);
                    } else if (blank) {
                        if (!buf.isEmpty()) {
                            paramName = buf.toString();
                            buf.setLength(0);
                            st = State.VALUE;
                        }
                    } else if (eof || newline) {
                        throw new ModelfileException(line, "missing value for PARAMETER" + (buf.isEmpty() ? "" : " " + buf));
                    } else {
                        throw new ModelfileException(line, "invalid character '" + c + "' in parameter name");
                    }
                }
                case ROLE -> {
                    if (isLetter(c)) {
                        buf.append(c);
                    } else if (blank) {
                        if (!buf.isEmpty()) {
                            role = buf.toString();
                            if (!Message.MODELFILE_ROLES.contains(role)) {
                                throw new ModelfileException(line, INVALID_ROLE);
                            }
                            buf.setLength(0);
                            st = State.VALUE;
                        }
                    } else if ((eof || newline) && Message.MODELFILE_ROLES.contains(buf.toString())) {
                        throw new ModelfileException(line, "missing text for MESSAGE");
                    } else {
                        throw new ModelfileException(line, INVALID_ROLE);
                    }
                }
                case VALUE -> {
                    if (eof || newline) {
                        String trimmed = goTrimSpace(buf);
                        String value = unquote(trimmed);
                        if (value != null) {
                            out.apply(valueLine, command, paramName, role, value);
                            buf.setLength(0);
                            st = State.NIL;
                        } else if (eof) {
                            throw new ModelfileException("unexpected EOF: " + trimmed);
                        } else {
                            buf.append(c); // inside quotes: keep the line break
                        }
                    } else {
                        buf.append(c);
                    }
                }
            }
            if (c == '\n' || (c == '\r' && !(i + 1 < n && text.charAt(i + 1) == '\n'))) {
                line++;
            }
        }
        return out.build();
    }

    /** Parses Modelfile bytes: UTF-8, or UTF-16 when a UTF-16 BOM says so; a UTF-8 BOM is skipped. */
    public static Modelfile parse(byte[] bytes, Consumer<String> warnings) throws ModelfileException {
        return parse(decode(bytes), warnings);
    }

    /** Reads and parses a Modelfile from disk (at most {@link #MAX_FILE_BYTES}). */
    public static Modelfile parse(Path file, Consumer<String> warnings) throws ModelfileException, IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new ModelfileException("Modelfile too large: " + size + " bytes (limit " + MAX_FILE_BYTES + ")");
        }
        return parse(Files.readAllBytes(file), warnings);
    }

    static String decode(byte[] b) {
        int off = 0;
        Charset cs = StandardCharsets.UTF_8;
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            off = 3;
        } else if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
            off = 2;
            cs = StandardCharsets.UTF_16BE;
        } else if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
            off = 2;
            cs = StandardCharsets.UTF_16LE;
        }
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(b, off, b.length - off)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e); // REPLACE never throws
        }
    }

    /** The quoted text without its quotes, the text itself when unquoted, or null while a quote is open. */
    static String unquote(String s) {
        if (s.startsWith("\"\"\"")) {
            return s.length() >= 6 && s.endsWith("\"\"\"") ? s.substring(3, s.length() - 3) : null;
        }
        if (s.startsWith("\"")) {
            return s.length() >= 2 && s.endsWith("\"") ? s.substring(1, s.length() - 1) : null;
        }
        return s;
    }

    /** Go's {@code unicode.IsSpace}. */
    static boolean isGoSpace(char c) {
        return switch (c) {
            case '\t', '\n', '\u000B', '\f', '\r', ' ', '\u0085', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F',
                 '\u205F', '\u3000' -> true;
            default -> c >= '\u2000' && c <= '\u200A';
        };
    }

    /** Go's {@code strings.TrimSpace}. */
    static String goTrimSpace(CharSequence s) {
        int a = 0;
        int b = s.length();
        while (a < b && isGoSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isGoSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.subSequence(a, b).toString();
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Accumulates instructions with the repeat rules. */
    private static final class Builder {
        private final Consumer<String> warnings;
        private final List<String> from = new ArrayList<>();
        private final List<String> licenses = new ArrayList<>();
        private final List<Message> messages = new ArrayList<>();
        private Parameters parameters = Parameters.EMPTY;
        private final List<String> adapters = new ArrayList<>();
        private String template;
        private String system;
        private String requires;

        Builder(Consumer<String> warnings) {
            this.warnings = warnings;
        }

        void apply(int line, String command, String paramName, String role, String value) throws ModelfileException {
            switch (command) {
                case "from" -> {
                    if (value.isEmpty()) {
                        throw new ModelfileException(line, "FROM needs a model name or a path");
                    }
                    from.add(value);
                }
                case "adapter" -> {
                    if (value.isEmpty()) {
                        throw new ModelfileException(line, "ADAPTER needs a path");
                    }
                    adapters.add(value);
                }
                case "template" -> template = value;
                case "system" -> system = value;
                case "license" -> licenses.add(value);
                case "message" -> messages.add(new Message(role, value));
                case "requires" -> {
                    if (!SEMVER.matcher(value).matches()) {
                        throw new ModelfileException(line, INVALID_REQUIRES);
                    }
                    requires = value;
                }
                case "parameter" -> {
                    if (ParameterSpec.isDeprecated(paramName)) {
                        warnings.accept("warning: parameter " + paramName + " is deprecated");
                        return;
                    }
                    try {
                        parameters = parameters.plus(paramName, ParameterSpec.parse(paramName, value));
                    } catch (ParameterException e) {
                        throw new ModelfileException(line, e.getMessage());
                    }
                }
                default -> warnings.accept("warning: " + command.toUpperCase(Locale.ROOT)
                        + " is not supported by mbllm and is ignored");
            }
        }

        Modelfile build() throws ModelfileException {
            if (from.isEmpty()) {
                throw new ModelfileException(MISSING_FROM);
            }
            return new Modelfile(from, adapters, Optional.ofNullable(template),
                    Optional.ofNullable(system), parameters, licenses, messages, Optional.ofNullable(requires));
        }
    }
}
