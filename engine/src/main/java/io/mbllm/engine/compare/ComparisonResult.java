package io.mbllm.engine.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished comparison.
 *
 * @param reference the reference variant's name
 * @param prompts   the prompts every variant answered
 * @param results   one per variant, the reference first, then the others in the order given
 */
public record ComparisonResult(String reference, List<String> prompts, List<VariantResult> results) {
    public ComparisonResult {
        prompts = List.copyOf(prompts);
        results = List.copyOf(results);
    }

    /** The final object: {@code {"done":true,"reference":R,"results":[...]}}. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("done", true);
        m.put("reference", reference);
        m.put("prompts", prompts);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (VariantResult r : results) rs.add(r.toJsonMap());
        m.put("results", rs);
        return m;
    }
}
