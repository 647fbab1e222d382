package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a header or query value must look for a route to match: present, equal to a value, or matching a regular
 * expression (whole value). Immutable and thread-safe.
 */
public final class ValueMatch {

    private enum Kind { PRESENT, EXACT, REGEX }

    private final Kind kind;
    @Nullable
    private final String value;
    @Nullable
    private final Pattern pattern;

    private ValueMatch(Kind kind, @Nullable String value, @Nullable Pattern pattern) {
        this.kind = kind;
        this.value = value;
        this.pattern = pattern;
    }

    /** Any value. */
    public static ValueMatch present() {
        return new ValueMatch(Kind.PRESENT, null, null);
    }

    /** Exactly {@code value}. */
    public static ValueMatch exact(String value) {
        return new ValueMatch(Kind.EXACT, requireNonNull(value, "value"), null);
    }

    /**
     * A value the regular expression matches as a whole.
     *
     * @throws IllegalArgumentException naming the expression when it does not compile
     */
    public static ValueMatch regex(String regex) {
        return new ValueMatch(Kind.REGEX, requireNonNull(regex, "regex"), compile("regex", regex));
    }

    static Pattern compile(String field, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(field + ": '" + regex + "' (expected: a Java regular expression; "
                    + e.getDescription() + ")", e);
        }
    }

    /** Whether {@code actual}, the request's value or {@code null} when it has none, matches. */
    public boolean matches(@Nullable String actual) {
        if (actual == null) {
            return false;
        }
        switch (kind) {
            case PRESENT:
                return true;
            case EXACT:
                return actual.equals(value);
            default:
                return pattern.matcher(actual).matches();
        }
    }

    /** Whether matching allocates (a regular expression does). */
    boolean allocates() {
        return kind == Kind.REGEX;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ValueMatch && ((ValueMatch) o).kind == kind
                && java.util.Objects.equals(((ValueMatch) o).value, value);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + (value == null ? 0 : value.hashCode());
    }

    @Override
    public String toString() {
        return kind == Kind.PRESENT ? "present" : kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + value + "'";
    }
}
