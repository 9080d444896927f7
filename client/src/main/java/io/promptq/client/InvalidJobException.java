package io.promptq.client;

import java.util.List;
import java.util.stream.Collectors;

/** A job request broke one or more validation rules and was not published. */
public class InvalidJobException extends SubmitException {

    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    public InvalidJobException(List<Violation> violations) {
        super(Reason.INVALID, "invalid job: " + violations.stream().map(Violation::toString)
                .collect(Collectors.joining("; ")), null);
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("violations must not be empty");
        }
        this.violations = List.copyOf(violations);
    }

    /** Every rule the request broke, in field order; never empty. */
    public List<Violation> violations() {
        return violations;
    }
}
