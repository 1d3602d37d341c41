// Live changes without a JavaScript build step: a page that has a [data-live] element listens to the server's
// events for it and, when told something changed, fetches itself and swaps in the fresh parts marked
// [data-live-part]. Forms and links work without this file; it only spares people the reload.
(function () {
  const root = document.querySelector("[data-live]");
  if (!root || !window.EventSource) return;
  const source = new EventSource(root.dataset.live);
  let busy = false;
  source.addEventListener("changed", async function () {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(window.location.href, {headers: {"Accept": "text/html"}});
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      document.querySelectorAll("[data-live-part]").forEach(function (part) {
        const replacement = fresh.querySelector('[data-live-part="' + part.dataset.livePart + '"]');
        if (replacement && !part.contains(document.activeElement)) part.replaceWith(replacement);
      });
    } finally {
      busy = false;
    }
  });
})();
