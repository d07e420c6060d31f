package org.countersign.chat;

import java.util.function.Function;

/**
 * What a pure function made of the last input it was given, made again only for another input object: a text asked
 * for again and again (a list nobody changed, {@link Cards#list}) comes back as the same String, so escaping and
 * encoding it is one comparison. Identity, not equality: comparing two long texts would cost what it saves. Safe
 * without a lock: a thread sees a whole pair or an older one, and an older one does not match. The output is shared, so
 * it must be immutable, or never written to by those it is handed.
 */
public final class LastMade<I, O> {
    private record Made<I, O>(I input, O output) {}

    private final Function<I, O> make;
    private volatile Made<I, O> last;

    public LastMade(Function<I, O> make) { this.make = make; }

    public O of(I input) {
        var made = last;
        if (made != null && made.input == input) return made.output;
        var output = make.apply(input);
        last = new Made<>(input, output);
        return output;
    }
}
