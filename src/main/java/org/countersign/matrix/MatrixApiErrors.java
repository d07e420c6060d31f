package org.countersign.matrix;

import java.util.function.Consumer;
import org.countersign.app.Telemetry;
import org.countersign.app.Telemetry.ApiError;

/** Counts the homeserver's failed answers (see {@link MatrixClient#onFailure}): 429 as rate-limited, no answer or 5xx as unavailable. */
public final class MatrixApiErrors implements Consumer<MatrixException> {
    private final Telemetry telemetry;

    public MatrixApiErrors(Telemetry telemetry) { this.telemetry = telemetry; }

    @Override
    public void accept(MatrixException e) {
        telemetry.apiError("matrix", switch (e.kind()) {
            case RATE_LIMITED -> ApiError.RATE_LIMITED;
            case UNAVAILABLE -> ApiError.UNAVAILABLE;
            default -> ApiError.REFUSED;
        });
    }
}
