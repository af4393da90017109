package io.troupe.llm.spi;

/**
 * The tokens of one sequence to run in one step.
 *
 * @param seqId      engine-wide sequence id
 * @param tokens     token ids to compute, at positions {@code startPos, startPos+1, ...}
 * @param startPos   position of {@code tokens[0]}; positions before it are already in the KV cache
 * @param blockTable KV block ids for positions {@code 0 .. startPos+tokens.length-1}, block i holding
 *                   positions {@code [i*blockSize, (i+1)*blockSize)}
 * @param wantLogits whether the step returns logits for the last token of this chunk
 */
public record SequenceChunk(long seqId, int[] tokens, int startPos, int[] blockTable, boolean wantLogits)
    implements java.io.Serializable {
  public int length() {
    return tokens.length;
  }
}
