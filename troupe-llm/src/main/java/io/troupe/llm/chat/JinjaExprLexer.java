package io.troupe.llm.chat;

import java.util.ArrayList;
import java.util.List;

/** Tokenizes the inside of a tag: names, string/number literals, operators. Stateless. */
final class JinjaExprLexer {
    enum Type { NAME, STRING, INT, FLOAT, OP, END }

    record Tok(Type type, String text, Object value) {
        boolean is(String op) {
            return (type == Type.OP || type == Type.NAME) && text.equals(op);
        }
    }

    private static final String[] OPS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(",
        ")", "[", "]", "{", "}", ",", ".", ":", "|", "="};

    private JinjaExprLexer() {
    }

    static List<Tok> lex(String s, int line) {
        List<Tok> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(new Tok(Type.NAME, s.substring(i, j), null));
                i = j;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                boolean isFloat = j + 1 < s.length() && s.charAt(j) == '.' && Character.isDigit(s.charAt(j + 1));
                if (isFloat) {
                    j++;
                    while (j < s.length() && Character.isDigit(s.charAt(j))) {
                        j++;
                    }
                }
                String num = s.substring(i, j).replace("_", "");
                out.add(isFloat ? new Tok(Type.FLOAT, num, Double.parseDouble(num)) : new Tok(Type.INT, num, Long.parseLong(num)));
                i = j;
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= s.length()) {
                        throw new TemplateException("unterminated string literal", line);
                    }
                    char d = s.charAt(j);
                    if (d == c) {
                        break;
                    }
                    if (d == '\\' && j + 1 < s.length()) {
                        char e = s.charAt(++j);
                        switch (e) {
                            case 'n' -> sb.append('\n');
                            case 't' -> sb.append('\t');
                            case 'r' -> sb.append('\r');
                            case '0' -> sb.append('\0');
                            case 'u' -> {
                                sb.append((char) Integer.parseInt(s.substring(j + 1, j + 5), 16));
                                j += 4;
                            }
                            case '\\', '\'', '"' -> sb.append(e);
                            default -> sb.append('\\').append(e);
                        }
                    } else {
                        sb.append(d);
                    }
                    j++;
                }
                out.add(new Tok(Type.STRING, s.substring(i, j + 1), sb.toString()));
                i = j + 1;
            } else {
                String op = null;
                for (String o : OPS) {
                    if (s.startsWith(o, i)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new TemplateException("unexpected character '" + c + "'", line);
                }
                out.add(new Tok(Type.OP, op, null));
                i += op.length();
            }
        }
        out.add(new Tok(Type.END, "<end of tag>", null));
        return out;
    }
}
