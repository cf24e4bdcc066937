/**
 * The most calls one batched tRPC request may carry. The server refuses a bigger batch whole
 * (400 BAD_REQUEST); the browser's httpBatchLink splits its batches at the same size.
 */
export const MAX_TRPC_BATCH_SIZE = 10;
