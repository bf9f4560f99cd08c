// eventref header search box: a one-line textarea, so that a pasted Event
// Viewer block or event XML keeps its line breaks. Enter submits (Shift+Enter
// adds a line); the box grows with its text; pasting several lines opens
// the search page with them, unchanged.
document.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('site-q');
  if (!box) return;
  const form = box.form;
  const grow = () => {
    box.style.height = 'auto';
    box.style.height = `${box.scrollHeight}px`;
  };
  box.addEventListener('input', grow);
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      if (box.value.trim()) form.requestSubmit();
    }
  });
  box.addEventListener('paste', (ev) => {
    const text = ev.clipboardData ? ev.clipboardData.getData('text/plain') : '';
    if (!text.includes('\n')) return;
    ev.preventDefault();
    box.value = text;
    grow();
    // Straight to the search page with the text exactly as pasted (a form
    // submission would turn its line breaks into CR LF).
    const u = new URL(form.action);
    u.searchParams.set('q', text);
    location.assign(u.href);
  });
});
