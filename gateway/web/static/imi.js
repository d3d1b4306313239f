// Progressive enhancement only: every page works without this file.
// The digits of the security code: typing one moves on to the next field.
document.addEventListener("input", (event) => {
  const field = event.target;
  if (!field.classList || !field.classList.contains("imi-digit") || field.value.length !== 1) {
    return;
  }
  const digits = Array.from(document.querySelectorAll(".imi-digit"));
  const next = digits[digits.indexOf(field) + 1];
  if (next) {
    next.focus();
  }
});
