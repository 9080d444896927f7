package io.promptq.http;

/** Thrown by a handler to answer with the given problem; mapped by {@link OpsServer}. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
