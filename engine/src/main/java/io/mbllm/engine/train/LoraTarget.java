package io.mbllm.engine.train;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A matrix of a transformer block that a LoRA adapter can sit on, in the order the adapters are laid out (the
 * PyTorch reference's order: q, k, v, o, gate, up, down).
 */
public enum LoraTarget {
    Q("q", "attn_q"),
    K("k", "attn_k"),
    V("v", "attn_v"),
    O("o", "attn_output"),
    GATE("gate", "ffn_gate"),
    UP("up", "ffn_up"),
    DOWN("down", "ffn_down");

    private final String cliName;
    private final String stem;

    LoraTarget(String cliName, String stem) {
        this.cliName = cliName;
        this.stem = stem;
    }

    /** The name on the command line ({@code --targets q,k,v}). */
    public String cliName() { return cliName; }

    /** The base tensor name in layer {@code layer}, e.g. {@code blk.0.attn_q.weight}. */
    public String baseName(int layer) {
        return "blk." + layer + "." + stem + ".weight";
    }

    /** All seven targets. */
    public static Set<LoraTarget> all() {
        return EnumSet.allOf(LoraTarget.class);
    }

    /**
     * Parses a comma-separated list such as {@code q,k,v,o,gate,up,down} (or {@code all}).
     *
     * @throws IllegalArgumentException naming the unknown entry and the accepted ones
     */
    public static Set<LoraTarget> parse(String csv) {
        Set<LoraTarget> out = EnumSet.noneOf(LoraTarget.class);
        for (String part : csv.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) continue;
            if (p.equals("all")) return all();
            LoraTarget found = null;
            for (LoraTarget t : values()) if (t.cliName.equals(p) || t.stem.equals(p)) found = t;
            if (found == null) {
                throw new IllegalArgumentException("unknown LoRA target '" + part.trim() + "'; use a comma-separated list of q, k, v, o, gate, up, down (or all)");
            }
            out.add(found);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no LoRA targets given");
        return out;
    }
}
