/** Matmul/matvec and elementwise kernels per weight type (issue 4): Java Vector API and native FFM paths. */
package io.mbllm.kernels;
