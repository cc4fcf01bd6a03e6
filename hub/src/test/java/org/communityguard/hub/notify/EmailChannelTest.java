package org.communityguard.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.junit.jupiter.api.Test;

/** How an SMTP server's refusal is taken: 5xx is final, 4xx and a lost connection are tried again. */
class EmailChannelTest {

    private static Exception verdict(MessagingException e) {
        return EmailChannel.verdict(e);
    }

    private static Undelivered.Cause cause(Exception e) {
        assertThat(e).isInstanceOf(NotificationChannel.Undeliverable.class);
        return ((NotificationChannel.Undeliverable) e).cause();
    }

    /** What Angus Mail throws when the server refuses every recipient: the refusals chained behind one exception. */
    private static SendFailedException recipientRefused(int code) throws Exception {
        InternetAddress to = new InternetAddress("w1@sunny-garden.example");
        return new SendFailedException("Invalid Addresses",
                new SMTPAddressFailedException(to, "RCPT TO:<w1@sunny-garden.example>", code, code + " mailbox unavailable"),
                new Address[0], new Address[0], new Address[] {to});
    }

    @Test
    void aRecipientRefusedForGoodIsFinalAndForNowIsTriedAgain() throws Exception {
        assertThat(cause(verdict(recipientRefused(550)))).isEqualTo(Undelivered.Cause.REJECTED);
        assertThat(verdict(recipientRefused(450))).isInstanceOf(NotificationChannel.RetryLater.class);
    }

    @Test
    void refusedCredentialsOrSenderAreAConfigurationError() throws Exception {
        assertThat(cause(verdict(new AuthenticationFailedException("535 authentication failed"))))
                .isEqualTo(Undelivered.Cause.CONFIGURATION);
        InternetAddress from = new InternetAddress("alerts@sunny-garden.example");
        assertThat(cause(verdict(new SMTPSenderFailedException(from, "MAIL FROM:<alerts@sunny-garden.example>", 553,
                "553 sender not allowed")))).isEqualTo(Undelivered.Cause.CONFIGURATION);
    }

    @Test
    void aServerThatCannotBeReachedIsTriedAgain() {
        Exception e = verdict(new MessagingException("Couldn't connect to host, port: 127.0.0.1, 1; timeout 10000"));
        assertThat(e).isInstanceOf(NotificationChannel.RetryLater.class);
        assertThat(e.getMessage()).startsWith("SMTP: Couldn't connect");
    }
}
