"""Development e-mail: Django's console backend, printing each message as a person reads it.

Django's console backend prints the raw MIME message, in which a line with any
non-ASCII character (the en dash of "Monday–Friday" in every footer) turns the
body quoted-printable and breaks long links across lines. Printed decoded, the
confirmation and password-reset links can be opened straight from the console.
"""

from django.core.mail.backends import console


class ReadableConsoleEmailBackend(console.EmailBackend):
    def write_message(self, message):
        headers = [
            ("Subject", message.subject),
            ("From", message.from_email),
            ("To", ", ".join(message.to)),
            ("Cc", ", ".join(message.cc)),
            ("Reply-To", ", ".join(message.reply_to)),
        ]
        lines = [f"{name}: {value}" for name, value in headers if value]
        lines += [
            f"Attachment: {getattr(attachment, 'filename', None) or 'unnamed part'}"
            for attachment in message.attachments
        ]
        self.stream.write("\n".join(lines) + "\n\n" + message.body.rstrip("\n") + "\n")
        self.stream.write("-" * 79 + "\n")
