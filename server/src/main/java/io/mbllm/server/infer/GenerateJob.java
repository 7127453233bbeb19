package io.mbllm.server.infer;

import java.util.List;
import java.util.Map;

import io.mbllm.engine.template.go.ThinkOption;
import io.mbllm.server.format.JsonGrammar;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.ResolvedModel;

/**
 * A validated completion request ({@code /api/generate}, {@code /v1/completions}).
 *
 * @param model     the resolved model
 * @param prompt    the prompt text (non-empty)
 * @param suffix    fill-in-middle suffix, or null
 * @param system    system prompt override, or null (model's SYSTEM)
 * @param template  template override (Go syntax), or null (model's)
 * @param context   token memory of a previous answer, or null
 * @param raw       no templating
 * @param options   request options (over the model's parameters)
 * @param keepAlive keep_alive for this request
 * @param format    grammar to enforce, or null
 * @param think     thinking option
 * @param truncate  whether an over-long prompt may be cut
 * @param renderOnly render the prompt and stop ({@code _debug_render_only})
 * @param loraScales the adapters' user scales for this request by id ({@link LoraScales}), or null for the model's
 */
public record GenerateJob(ResolvedModel model, String prompt, String suffix, String system, String template,
                          List<Integer> context, boolean raw, Map<String, Object> options, KeepAlive keepAlive,
                          JsonGrammar format, ThinkOption think, boolean truncate, boolean renderOnly,
                          float[] loraScales) {}
