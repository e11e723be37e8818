"""The Permissions-Policy in Chromium: every feature it names is one Chromium knows (an unknown
one is a console warning on every page), what it denies is off, and passkeys stay on."""

DENIED = ["camera", "microphone", "geolocation", "payment", "usb"]


def test_chromium_reads_the_whole_policy_and_keeps_only_passkeys_on(page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    page.goto("/accounts/login/")
    page.wait_for_timeout(200)

    assert not [text for text in messages if "Permissions-Policy" in text], messages
    allowed = page.evaluate("() => document.featurePolicy.allowedFeatures()")
    assert "publickey-credentials-get" in allowed
    assert "publickey-credentials-create" in allowed
    assert not set(DENIED) & set(allowed)
