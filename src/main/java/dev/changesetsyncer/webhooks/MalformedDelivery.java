package dev.changesetsyncer.webhooks;

/** A delivery whose headers or payload lack what its event must carry: answered 400, nothing stored. */
final class MalformedDelivery extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedDelivery(String message) {
        super(message);
    }
}
