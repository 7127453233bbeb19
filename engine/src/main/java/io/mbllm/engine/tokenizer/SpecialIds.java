package io.mbllm.engine.tokenizer;

/**
 * The special token ids of a vocabulary after llama.cpp's defaults, metadata overrides and text-based
 * detection; {@code -1} means "none".
 */
public record SpecialIds(int bos, int eos, int eot, int eom, int unk, int sep, int pad, int mask,
                         int fimPre, int fimSuf, int fimMid, int fimPad, int fimRep, int fimSep) {
}
