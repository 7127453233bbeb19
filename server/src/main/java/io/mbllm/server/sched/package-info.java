/**
 * Scheduling: the model resolver seam, loaded models with their parallel slots, the bounded wait queue and
 * keep_alive expiry.
 */
package io.mbllm.server.sched;
