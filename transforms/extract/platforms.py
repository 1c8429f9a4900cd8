"""Hosts: registered domain, subdomain labels, and the blogging platforms keyed by subdomain."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

import tldextract

# Platforms whose subdomains (or, on medium.com, first path segments) are separate publishers,
# by the platform's domain -> the source_platform value.
PLATFORM_DOMAINS = {
    "wordpress.com": "wordpress",
    "blogspot.com": "blogger",
    "blogger.com": "blogger",
    "medium.com": "medium",
    "substack.com": "substack",
    "github.io": "github_pages",
    "gitlab.io": "gitlab_pages",
    "tumblr.com": "tumblr",
    "ghost.io": "ghost",
    "wixsite.com": "wix",
    "weebly.com": "weebly",
    "squarespace.com": "squarespace",
    "livejournal.com": "livejournal",
    "typepad.com": "typepad",
    "hashnode.dev": "hashnode",
    "netlify.app": "netlify",
    "vercel.app": "vercel",
    "pages.dev": "cloudflare_pages",
    "bearblog.dev": "bear",
    "micro.blog": "micro_blog",
    "beehiiv.com": "beehiiv",
    "over-blog.com": "overblog",
    "webnode.page": "webnode",
}
SOURCE_PLATFORMS = tuple(sorted(set(PLATFORM_DOMAINS.values())))
# Subdomains of a platform that are the platform itself, not a publisher on it.
PLATFORM_OWN_LABELS = {"www", "m", "en", "blog", "help", "support", "api", "app", "docs"}


@dataclass(frozen=True)
class Host:
    """Where a URL is published: host, registered domain, and the platform site if any."""

    host: str
    registered_domain: str | None
    subdomain_labels: tuple[str, ...]
    platform: str | None = None
    # The publisher's key on a platform: "jane.wordpress.com", "medium.com/@jane".
    platform_site: str | None = None

    def publisher_labels(self) -> tuple[str, ...]:
        """Return the host labels that name the publisher (on a platform: its own part only)."""
        if self.platform_site:
            if "/" in self.platform_site:
                return (self.platform_site.split("/", 1)[1].lstrip("@"),)
            return (self.platform_site.split(".", 1)[0],)
        return (*self.subdomain_labels, (self.registered_domain or self.host).split(".", 1)[0])


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    """Return an offline extractor (the public-suffix snapshot shipped with tldextract)."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def read_host(url: str | None) -> Host | None:
    """Return the host facts of a URL, or None without one."""
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    extracted = _extractor()(host)
    registered = None
    if extracted.domain and extracted.suffix:
        registered = f"{extracted.domain}.{extracted.suffix}"
    labels = tuple(label for label in extracted.subdomain.split(".") if label)
    platform = PLATFORM_DOMAINS.get(registered or "")
    site = None
    if platform and labels and labels[-1] not in PLATFORM_OWN_LABELS:
        site = f"{labels[-1]}.{registered}"
    elif platform == "medium":
        # medium.com/@jane/post and medium.com/publication/post: the first path segment.
        segment = next((part for part in parts.path.split("/") if part), "")
        if segment and segment not in ("p", "m", "tag", "topic", "search", "me"):
            site = f"{registered}/{segment.lower()}"
    if platform and site is None:
        platform = None
    return Host(host, registered, labels, platform, site)
