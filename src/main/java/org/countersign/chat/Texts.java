package org.countersign.chat;

/** Text as every renderer needs it: HTML-escaped, and cut visibly to fit a platform's limits. */
public final class Texts {
    private Texts() {}

    /** The five characters HTML reads as markup, as entities ({@code & < > " '}): safe in content and quoted attributes. */
    public static String escapeHtml(String text) {
        if (text == null) return "";
        var out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Text cut to at most {@code max} characters with a visible marker saying how much is left out; never splits a
     * surrogate pair. Text that fits comes back as it is.
     */
    public static String truncate(String text, int max) {
        if (text == null) return "";
        if (text.length() <= max) return text;
        int keep = max;
        // The marker's own length depends on how many characters it counts; settle on a cut that fits.
        while (keep > 0 && keep + marker(text.length() - keep).length() > max) keep--;
        if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) keep--;
        if (keep == 0) return marker(text.length()).substring(0, Math.min(max, marker(text.length()).length()));
        return text.substring(0, keep) + marker(text.length() - keep);
    }

    /** Text cut to at most {@code max} characters ending in "…", for labels too short for a marker. */
    public static String shorten(String text, int max) {
        if (text == null) return "";
        if (text.length() <= max) return text;
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) end--;
        return text.substring(0, end) + "…";
    }

    /** What a cut says about the {@code more} characters it left out. */
    public static String marker(int more) {
        return "… (truncated; " + more + " more character" + (more == 1 ? "" : "s") + ")";
    }
}
