// Added to every page of a browser test (BrowserContext.add_init_script): reports each
// Content Security Policy violation on the console, where the harness collects it.
document.addEventListener("securitypolicyviolation", function (event) {
  console.error(
    "Content Security Policy violation: " + event.violatedDirective + " blocked " +
      (event.blockedURI || "inline code") + " at " + event.sourceFile + ":" + event.lineNumber
  );
});
