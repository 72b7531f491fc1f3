package dev.changesetsyncer.codehost.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit: one whose {@code Content-Length} says more is
 * refused before a byte of it is read, and one that goes on past the limit is cut off there (the
 * connection is dropped). Either way the body completes with {@link TooLarge}.
 */
final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    /** The host's answer is larger than we read. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    private final long limit;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.Subscription subscription;
    private long received;

    private CappedBody(long limit) {
        this.limit = limit;
    }

    /** The handler: a capped body, or an immediate refusal when the declared length is over the limit. */
    static HttpResponse.BodyHandler<byte[]> handler(long limit) {
        return info -> {
            OptionalLong declared = declaredLength(info.headers().firstValue("content-length").orElse(null));
            if (declared.isPresent() && declared.getAsLong() > limit) {
                return refused(new TooLarge("its Content-Length of " + declared.getAsLong() + " bytes is over the limit of "
                        + limit + " bytes; not read"));
            }
            return new CappedBody(limit);
        };
    }

    private static OptionalLong declaredLength(String header) {
        if (header == null || !header.strip().matches("\\d{1,18}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(header.strip()));
    }

    /** A body that takes nothing: cancelling the subscription drops the connection. */
    private static HttpResponse.BodySubscriber<byte[]> refused(TooLarge reason) {
        CompletableFuture<byte[]> failed = CompletableFuture.failedFuture(reason);
        return new HttpResponse.BodySubscriber<>() {
            @Override
            public CompletionStage<byte[]> getBody() {
                return failed;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
            }

            @Override
            public void onNext(List<ByteBuffer> item) {}

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        };
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription value) {
        subscription = value;
        value.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            received += item.remaining();
            if (received > limit) {
                subscription.cancel();
                body.completeExceptionally(new TooLarge("its body went on past the limit of " + limit
                        + " bytes; cut off there"));
                return;
            }
            byte[] bytes = new byte[item.remaining()];
            item.get(bytes);
            buffer.writeBytes(bytes);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        body.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        body.complete(buffer.toByteArray());
    }
}
