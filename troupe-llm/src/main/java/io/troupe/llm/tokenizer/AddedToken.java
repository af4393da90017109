package io.troupe.llm.tokenizer;

/**
 * An entry of {@code added_tokens} in tokenizer.json: a string that is cut out of the input before
 * normalization and BPE and always becomes exactly one id.
 *
 * @param id the token id
 * @param content the literal text
 * @param special whether it is a control token ({@code skipSpecial} in decode drops it)
 * @param lstrip whether whitespace to its left is swallowed
 * @param rstrip whether whitespace to its right is swallowed
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip) {
}
