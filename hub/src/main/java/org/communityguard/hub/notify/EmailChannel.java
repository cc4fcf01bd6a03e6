package org.communityguard.hub.notify;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * E-mail over SMTP (Eclipse Angus Mail), plain text, UTF-8. Connecting, each read and each write
 * are bounded by the timeout; {@code X-CommunityGuard-Delivery} is the notification's id, the
 * same on a repeated send.
 */
public final class EmailChannel implements NotificationChannel {

    /** How the connection to the SMTP server is protected. */
    public enum Tls { NONE, STARTTLS, SSL }

    private final Session session;
    private final InternetAddress from;
    private final String user;
    private final String password;

    public EmailChannel(String host, int port, Tls tls, String user, String password, String from, Duration timeout) {
        Properties p = new Properties();
        String proto = tls == Tls.SSL ? "smtps" : "smtp";
        p.put("mail.transport.protocol", proto);
        p.put("mail." + proto + ".host", host);
        p.put("mail." + proto + ".port", Integer.toString(port));
        p.put("mail." + proto + ".auth", Boolean.toString(!user.isEmpty()));
        p.put("mail." + proto + ".connectiontimeout", Long.toString(timeout.toMillis()));
        p.put("mail." + proto + ".timeout", Long.toString(timeout.toMillis()));
        p.put("mail." + proto + ".writetimeout", Long.toString(timeout.toMillis()));
        if (tls == Tls.STARTTLS) {
            // Required, not opportunistic: a downgrade to plain text must fail, not leak.
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (tls != Tls.NONE) {
            p.put("mail." + proto + ".ssl.checkserveridentity", "true");
        }
        this.session = Session.getInstance(p);
        this.user = user;
        this.password = password;
        try {
            this.from = new InternetAddress(from, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("not an e-mail address: " + from, e);
        }
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public void send(Notification n) throws Exception {
        InternetAddress to;
        try {
            to = new InternetAddress(n.recipient(), true);
        } catch (AddressException e) {
            throw new Undeliverable(Undelivered.Cause.REJECTED, "not an e-mail address: " + n.recipient());
        }
        MimeMessage m = new MimeMessage(session);
        m.setFrom(from);
        m.setRecipient(Message.RecipientType.TO, to);
        m.setSubject(n.subject(), StandardCharsets.UTF_8.name());
        m.setText(n.body(), StandardCharsets.UTF_8.name());
        m.setSentDate(new Date());
        m.setHeader("X-CommunityGuard-Delivery", Long.toString(n.id()));
        try (Transport t = session.getTransport()) {
            t.connect(user.isEmpty() ? null : user, user.isEmpty() ? null : password);
            t.sendMessage(m, m.getAllRecipients());
        } catch (MessagingException e) {
            throw verdict(e);
        }
    }

    /**
     * What an SMTP failure means for retrying: a refused login or sender address is a
     * configuration error, a recipient or message refused with a 5xx is final, anything else
     * (a 4xx, no connection, a timeout) may pass. Angus Mail chains one exception per refused
     * recipient behind the one it throws.
     */
    static Exception verdict(MessagingException e) {
        String what = "SMTP: " + e.getMessage();
        if (e instanceof AuthenticationFailedException) {
            return new Undeliverable(Undelivered.Cause.CONFIGURATION, what + " (check notify.smtp.user and password)");
        }
        for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
            int code = x instanceof SMTPSenderFailedException f ? f.getReturnCode()
                    : x instanceof SMTPAddressFailedException f ? f.getReturnCode()
                    : x instanceof SMTPSendFailedException f ? f.getReturnCode() : 0;
            if (code >= 500) {
                String refused = "SMTP: " + String.valueOf(x.getMessage()).trim();
                return x instanceof SMTPSenderFailedException
                        ? new Undeliverable(Undelivered.Cause.CONFIGURATION, refused + " (check notify.smtp.from)")
                        : new Undeliverable(Undelivered.Cause.REJECTED, refused);
            }
        }
        return new RetryLater(what, null);
    }
}
