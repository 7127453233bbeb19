package io.mbllm.server.format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.mbllm.server.api.Json;

/**
 * The shape a constrained output must have, compiled from {@code format} (api-contract §3.4.4): {@code "json"}
 * is any JSON object; a JSON schema becomes a tree of nodes. Supported keywords: {@code type} (object, array,
 * string, integer, number, boolean, null), {@code properties} (every property is written, in the schema's
 * order), {@code additionalProperties} (schema of free-form values), {@code items}, {@code enum},
 * {@code const}, {@code maxLength}, {@code $ref} to {@code #/$defs/..} or {@code #/definitions/..}. Other
 * keywords are ignored; a subschema with an unsupported combination ({@code anyOf}, type lists) accepts any
 * JSON value. Immutable and thread-safe; {@link JsonMatcher} runs it.
 */
public final class JsonGrammar {
    /** Node kinds. */
    static final int ANY = 0, OBJECT = 1, FREE_OBJECT = 2, ARRAY = 3, STRING = 4, NUMBER = 5, LITERAL = 6;

    /** One node: kind plus the kind's parameters. */
    record Node(int kind, byte[][] keys, int[] values, int child, int maxLength, boolean integer, byte[][] literals) {}

    // fixed node ids of the generic value kinds
    static final int N_ANY = 0, N_ANY_OBJECT = 1, N_ANY_ARRAY = 2, N_ANY_STRING = 3, N_ANY_NUMBER = 4, N_ANY_LITERAL = 5;

    private static final int MAX_SCHEMA_DEPTH = 32;

    final Node[] nodes;
    final int root;

    private JsonGrammar(Node[] nodes, int root) {
        this.nodes = nodes;
        this.root = root;
    }

    /** Any JSON object ({@code format: "json"}). */
    public static JsonGrammar anyObject() {
        return new Builder().build(N_ANY_OBJECT);
    }

    /** A grammar for a JSON schema (as decoded JSON: maps, lists, strings, numbers). */
    public static JsonGrammar fromSchema(Map<String, ?> schema) {
        Builder b = new Builder();
        b.rootSchema = schema;
        int root = b.compile(schema, 0);
        return b.build(root);
    }

    private static final class Builder {
        final List<Node> nodes = new ArrayList<>();
        Map<String, ?> rootSchema;

        Builder() {
            nodes.add(new Node(ANY, null, null, -1, -1, false, null));
            nodes.add(new Node(FREE_OBJECT, null, null, N_ANY, -1, false, null));
            nodes.add(new Node(ARRAY, null, null, N_ANY, -1, false, null));
            nodes.add(new Node(STRING, null, null, -1, -1, false, null));
            nodes.add(new Node(NUMBER, null, null, -1, -1, false, null));
            nodes.add(new Node(LITERAL, null, null, -1, -1, false, literals(List.of("true", "false", "null"))));
        }

        JsonGrammar build(int root) {
            return new JsonGrammar(nodes.toArray(Node[]::new), root);
        }

        int add(Node n) {
            nodes.add(n);
            return nodes.size() - 1;
        }

        int compile(Object schemaObj, int depth) {
            if (!(schemaObj instanceof Map<?, ?> schema) || depth > MAX_SCHEMA_DEPTH) return N_ANY;
            Object ref = schema.get("$ref");
            if (ref instanceof String r) return compile(resolveRef(r), depth + 1);
            if (schema.get("enum") instanceof Collection<?> values && !values.isEmpty()) {
                List<String> lits = new ArrayList<>();
                for (Object v : values) lits.add(Json.write(v));
                return add(new Node(LITERAL, null, null, -1, -1, false, literals(lits)));
            }
            if (schema.containsKey("const")) {
                return add(new Node(LITERAL, null, null, -1, -1, false, literals(List.of(Json.write(schema.get("const"))))));
            }
            Object type = schema.get("type");
            if (type == null && schema.get("properties") instanceof Map) type = "object";
            if (type == null && schema.containsKey("items")) type = "array";
            if (!(type instanceof String t)) return N_ANY;
            return switch (t) {
                case "object" -> object(schema, depth);
                case "array" -> add(new Node(ARRAY, null, null, compile(schema.get("items"), depth + 1), -1, false, null));
                case "string" -> {
                    int max = schema.get("maxLength") instanceof Number n ? Math.max(0, n.intValue()) : -1;
                    yield max < 0 ? N_ANY_STRING : add(new Node(STRING, null, null, -1, max, false, null));
                }
                case "integer" -> add(new Node(NUMBER, null, null, -1, -1, true, null));
                case "number" -> N_ANY_NUMBER;
                case "boolean" -> add(new Node(LITERAL, null, null, -1, -1, false, literals(List.of("true", "false"))));
                case "null" -> add(new Node(LITERAL, null, null, -1, -1, false, literals(List.of("null"))));
                default -> N_ANY;
            };
        }

        private int object(Map<?, ?> schema, int depth) {
            if (schema.get("properties") instanceof Map<?, ?> props && !props.isEmpty()) {
                int n = props.size();
                byte[][] keys = new byte[n][];
                int[] values = new int[n];
                int i = 0;
                for (Map.Entry<?, ?> e : props.entrySet()) {
                    keys[i] = Json.write(String.valueOf(e.getKey())).getBytes(StandardCharsets.UTF_8);
                    values[i] = compile(e.getValue(), depth + 1);
                    i++;
                }
                return add(new Node(OBJECT, keys, values, -1, -1, false, null));
            }
            Object extra = schema.get("additionalProperties");
            int valueNode = extra instanceof Map<?, ?> ? compile(extra, depth + 1) : N_ANY;
            return valueNode == N_ANY ? N_ANY_OBJECT : add(new Node(FREE_OBJECT, null, null, valueNode, -1, false, null));
        }

        private Object resolveRef(String ref) {
            for (String prefix : new String[] {"#/$defs/", "#/definitions/"}) {
                if (ref.startsWith(prefix) && rootSchema.get(prefix.substring(2, prefix.length() - 1)) instanceof Map<?, ?> defs) {
                    return defs.get(ref.substring(prefix.length()));
                }
            }
            if (ref.equals("#")) return rootSchema;
            return null;
        }
    }

    /** Literal alternatives as UTF-8, sorted bytewise (unsigned) so that a common prefix is a contiguous range. */
    static byte[][] literals(List<String> texts) {
        byte[][] out = texts.stream().distinct().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        Arrays.sort(out, Arrays::compareUnsigned);
        return out;
    }
}
