<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an Atom or RSS feed opened in a browser as a readable page with
     how-to-subscribe help. Feed readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:media="http://search.yahoo.com/mrss/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    exclude-result-prefixes="atom media dc">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="self"
      select="/atom:feed/atom:link[@rel='self']/@href | /rss/channel/atom:link[@rel='self']/@href"/>
  <xsl:variable name="title" select="/atom:feed/atom:title | /rss/channel/title"/>
  <xsl:variable name="home"
      select="/atom:feed/atom:link[@rel='alternate']/@href | /rss/channel/link"/>

  <xsl:template match="/">
    <html lang="{/atom:feed/@xml:lang | /rss/channel/language}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
          :root { color-scheme: light dark; --ink: #1d2733; --muted: #5b6775; --line: #d9dee4;
                  --accent: #1f4e79; --panel: #eef3f8; }
          @media (prefers-color-scheme: dark) {
            :root { --ink: #e4e9ee; --muted: #a3aebb; --line: #38424d; --accent: #8cb8e4;
                    --panel: #1c2630; }
            body { background: #12181e; }
          }
          body { font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
                 color: var(--ink); margin: 0; }
          main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
          header { display: flex; gap: 1rem; align-items: center; }
          header img { width: 3.5rem; height: 3.5rem; border-radius: .6rem; flex: none; }
          h1 { font-size: 1.6rem; line-height: 1.2; margin: 0; }
          .subtitle { color: var(--muted); margin: .25rem 0 0; }
          .about { background: var(--panel); border-radius: .6rem; padding: 1rem 1.25rem;
                   margin: 1.5rem 0 2rem; }
          .about h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
          .about p { margin: .4rem 0; }
          .url { display: flex; gap: .5rem; margin: .6rem 0; }
          .url input { flex: 1; min-width: 0; font: 15px ui-monospace, monospace; padding: .45rem .6rem;
                       border: 1px solid var(--line); border-radius: .4rem; color: inherit;
                       background: transparent; }
          .url button { font: inherit; font-size: 15px; padding: .45rem .9rem; border: 0;
                        border-radius: .4rem; background: var(--accent); color: #fff;
                        cursor: pointer; }
          a { color: var(--accent); }
          article { border-top: 1px solid var(--line); padding: 1.1rem 0; overflow: hidden; }
          article h3 { font-size: 1.15rem; line-height: 1.3; margin: 0 0 .25rem; }
          article h3 a { text-decoration: none; }
          article h3 a:hover { text-decoration: underline; }
          .meta { color: var(--muted); font-size: .9rem; margin: 0 0 .4rem; }
          article p.summary { margin: .3rem 0 0; }
          article img { float: right; width: 8rem; max-height: 6rem; object-fit: cover;
                        margin: .2rem 0 .5rem 1rem; border-radius: .3rem; }
          .tags { color: var(--muted); font-size: .85rem; margin-top: .4rem; }
          @media (max-width: 32rem) { article img { width: 5.5rem; } h1 { font-size: 1.35rem; } }
        </style>
      </head>
      <body>
        <main>
          <header>
            <xsl:variable name="icon" select="/atom:feed/atom:icon | /rss/channel/image/url"/>
            <xsl:if test="$icon"><img src="{$icon}" alt=""/></xsl:if>
            <div>
              <h1><xsl:value-of select="$title"/></h1>
              <p class="subtitle">
                <xsl:value-of select="/atom:feed/atom:subtitle | /rss/channel/description"/>
              </p>
            </div>
          </header>
          <section class="about">
            <h2>This is a web feed</h2>
            <p>Subscribe by copying this address into a feed reader (NetNewsWire, Feedly,
              Inoreader, Thunderbird, newsboat...): new articles reach you as they are
              published, with no account and no tracking.</p>
            <div class="url">
              <input type="text" readonly="readonly" value="{$self}" aria-label="Feed address"
                  onclick="this.select()"/>
              <button type="button"
                  onclick="navigator.clipboard.writeText(this.previousElementSibling.value);this.textContent='Copied'">Copy</button>
            </div>
            <p>New to feeds? <a href="https://aboutfeeds.com/">About Feeds</a> explains them in
              a minute. Every feed of this site, and the site itself:
              <a href="{$home}">visit the website</a>.</p>
          </section>
          <xsl:apply-templates select="/atom:feed/atom:entry | /rss/channel/item"/>
          <xsl:if test="not(/atom:feed/atom:entry | /rss/channel/item)">
            <p>Nothing has been published in this feed yet.</p>
          </xsl:if>
          <xsl:variable name="older"
              select="/atom:feed/atom:link[@rel='prev-archive']/@href | /rss/channel/atom:link[@rel='prev-archive']/@href"/>
          <xsl:if test="$older"><p><a href="{$older}">Older articles</a></p></xsl:if>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry | item">
    <xsl:variable name="image"
        select="(atom:link[@rel='enclosure'][starts-with(@type, 'image/') or not(@type)]/@href | media:content[@medium='image']/@url)[1]"/>
    <article>
      <xsl:if test="$image"><img src="{$image}" alt="" loading="lazy"/></xsl:if>
      <h3><a href="{atom:link[@rel='alternate']/@href | link}"><xsl:value-of select="atom:title | title"/></a></h3>
      <p class="meta">
        <xsl:value-of select="atom:author/atom:name | dc:creator"/>
        <xsl:text> · </xsl:text>
        <xsl:choose>
          <xsl:when test="atom:published"><xsl:value-of select="substring(atom:published, 1, 10)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="substring(pubDate, 1, 16)"/></xsl:otherwise>
        </xsl:choose>
      </p>
      <p class="summary"><xsl:value-of select="atom:summary | description"/></p>
      <xsl:if test="atom:category | category">
        <p class="tags">
          <xsl:for-each select="atom:category/@term | category">
            <xsl:if test="position() &gt; 1"><xsl:text>, </xsl:text></xsl:if>
            <xsl:value-of select="."/>
          </xsl:for-each>
        </p>
      </xsl:if>
    </article>
  </xsl:template>
</xsl:stylesheet>
