// Shows the parts of a page that only work with JavaScript (e.g. passkey sign-in).
document.querySelectorAll("[data-js-only]").forEach((element) => { element.hidden = false; });
