package org.countersign.matrix;

import java.util.function.Consumer;
import org.countersign.app.Telemetry;
import org.countersign.app.Telemetry.ApiError;

/**
 * Counts the homeserver's failed answers (see {@link MatrixClient#onFailure}): 429 as rate-limited, no answer or 5xx as
 * unavailable, other refusals as refused. {@code M_NOT_FOUND} is not counted: it answers a question (the room has no
 * such state event), and the callers take it so.
 */
public final class MatrixApiErrors implements Consumer<MatrixException> {
    private final Telemetry telemetry;

    public MatrixApiErrors(Telemetry telemetry) { this.telemetry = telemetry; }

    @Override
    public void accept(MatrixException e) {
        if (e.kind() == MatrixException.Kind.NOT_FOUND) return;
        telemetry.apiError("matrix", switch (e.kind()) {
            case RATE_LIMITED -> ApiError.RATE_LIMITED;
            case UNAVAILABLE -> ApiError.UNAVAILABLE;
            default -> ApiError.REFUSED;
        });
    }
}
