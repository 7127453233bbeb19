package io.mbllm.engine.sample;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Ollama {@code options} object (as decoded JSON: numbers, strings, lists) into
 * {@link SamplingOptions}. Rules, as Ollama's {@code Options.FromMap}: integer options accept any JSON number
 * (a fraction is truncated toward zero), float options any number, {@code stop} a list of strings (a single
 * string is taken as a one-element list); a {@code null} value leaves the option unchanged; a known option of
 * another subsystem (load-time, mirostat, ...) is accepted and ignored; an unknown name is ignored with a
 * warning. mbllm leniency: a numeric option may also be given as a string holding a number (Modelfile
 * {@code PARAMETER} values and {@code /set parameter} arrive as text).
 */
public final class OptionsParser {
    private OptionsParser() {}

    private static final System.Logger LOG = System.getLogger(OptionsParser.class.getName());

    /** Option names read by {@link SamplingOptions}. */
    public static final Set<String> SAMPLING_KEYS = Set.of("temperature", "top_k", "top_p", "min_p", "typical_p",
            "repeat_penalty", "repeat_last_n", "presence_penalty", "frequency_penalty", "seed", "num_predict",
            "num_ctx", "num_keep", "stop");

    /** Option names Ollama knows that {@link SamplingOptions} does not use: accepted silently. */
    public static final Set<String> OTHER_KNOWN_KEYS = Set.of("num_batch", "num_gpu", "main_gpu", "use_mmap",
            "num_thread", "draft_num_predict", "mirostat", "mirostat_eta", "mirostat_tau", "numa", "low_vram",
            "f16_kv", "logits_all", "vocab_only", "use_mlock", "embedding_only", "tfs_z", "penalize_newline");

    /**
     * {@code base} with every option named in {@code options} replaced.
     *
     * @throws InvalidOptionException for a value of the wrong type or out of range
     */
    public static SamplingOptions apply(SamplingOptions base, Map<String, ?> options) {
        if (options == null || options.isEmpty()) return base;
        float temperature = base.temperature(), topP = base.topP(), minP = base.minP(), typicalP = base.typicalP();
        float repeatPenalty = base.repeatPenalty(), presence = base.presencePenalty(), frequency = base.frequencyPenalty();
        int topK = base.topK(), repeatLastN = base.repeatLastN(), numPredict = base.numPredict();
        int numCtx = base.numCtx(), numKeep = base.numKeep();
        long seed = base.seed();
        List<String> stop = base.stop();
        for (Map.Entry<String, ?> e : options.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            if (key == null) continue;
            if (!SAMPLING_KEYS.contains(key)) {
                if (!OTHER_KNOWN_KEYS.contains(key)) LOG.log(System.Logger.Level.WARNING, "invalid option provided: {0}", key);
                continue;
            }
            if (v == null) continue;
            switch (key) {
                case "temperature" -> temperature = toFloat(key, v);
                case "top_k" -> topK = toInt(key, v);
                case "top_p" -> topP = toFloat(key, v);
                case "min_p" -> minP = toFloat(key, v);
                case "typical_p" -> typicalP = toFloat(key, v);
                case "repeat_penalty" -> repeatPenalty = toFloat(key, v);
                case "repeat_last_n" -> repeatLastN = toInt(key, v);
                case "presence_penalty" -> presence = toFloat(key, v);
                case "frequency_penalty" -> frequency = toFloat(key, v);
                case "seed" -> seed = toLong(key, v);
                case "num_predict" -> numPredict = toInt(key, v);
                case "num_ctx" -> numCtx = toInt(key, v);
                case "num_keep" -> numKeep = toInt(key, v);
                case "stop" -> stop = toStrings(key, v);
                default -> throw new AssertionError(key);
            }
        }
        return new SamplingOptions(temperature, topK, topP, minP, typicalP, repeatPenalty, repeatLastN, presence,
                frequency, seed, numPredict, numCtx, numKeep, stop);
    }

    /** {@link SamplingOptions#DEFAULTS} with {@code options} applied. */
    public static SamplingOptions parse(Map<String, ?> options) {
        return apply(SamplingOptions.DEFAULTS, options);
    }

    private static float toFloat(String key, Object v) {
        double d = toDouble(key, v, "float");
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) throw outOfRange(key, v);
        return f;
    }

    private static int toInt(String key, Object v) {
        long l = toLong(key, v);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw outOfRange(key, v);
        return (int) l;
    }

    private static long toLong(String key, Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            if (b.bitLength() > 63) throw outOfRange(key, v);
            return b.longValue();
        }
        double d = toDouble(key, v, "integer");
        if (!Double.isFinite(d) || d >= 0x1p63 || d < -0x1p63) throw outOfRange(key, v);
        return (long) d; // truncates toward zero, as Go's int64(float64)
    }

    private static double toDouble(String key, Object v, String type) {
        if (v instanceof BigDecimal b) return b.doubleValue();
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.strip());
            } catch (NumberFormatException ex) {
                throw new InvalidOptionException(key, "option \"" + key + "\" must be of type " + type + ", got \"" + s + "\"");
            }
        }
        throw new InvalidOptionException(key, "option \"" + key + "\" must be of type " + type + ", got " + typeName(v));
    }

    private static List<String> toStrings(String key, Object v) {
        if (v instanceof String s) return List.of(s);
        if (v instanceof Collection<?> c) {
            List<String> out = new ArrayList<>(c.size());
            for (Object o : c) {
                if (!(o instanceof String s)) {
                    throw new InvalidOptionException(key, "option \"" + key + "\" must be an array of strings, got an element of type " + typeName(o));
                }
                out.add(s);
            }
            return out;
        }
        if (v instanceof String[] a) return List.of(a);
        throw new InvalidOptionException(key, "option \"" + key + "\" must be of type array, got " + typeName(v));
    }

    private static InvalidOptionException outOfRange(String key, Object v) {
        return new InvalidOptionException(key, "option \"" + key + "\" is out of range: " + v);
    }

    private static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof Boolean) return "boolean";
        if (v instanceof String) return "string";
        if (v instanceof Number) return "number";
        if (v instanceof Collection<?> || v.getClass().isArray()) return "array";
        if (v instanceof Map<?, ?>) return "object";
        return v.getClass().getSimpleName();
    }
}
