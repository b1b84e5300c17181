#!/usr/bin/env bash
# Writes small seed corpora for the fuzz targets into corpus/<target>/ (not committed).
# With EVAL_PAGES=N (default 40), also adds the first N pages of
# /work/shared/data/extraction-eval/pages (cut to 64 KiB) to the extract and charset corpora
# when that folder exists.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/robots corpus/extract corpus/charset

r=corpus/robots
printf 'User-agent: *\nDisallow: /private/\nAllow: /private/public/\n' >"$r/basic"
printf 'harvest\0/private/x?q=1\0User-agent: *\nDisallow: /\n\nUser-agent: Harvest\nDisallow: /private/\nAllow: /private/public/\nCrawl-delay: 2.5\nContent-Signal: ai-train=no, search=yes, ai-input=yes\nSitemap: https://example.com/sitemap.xml\n' >"$r/groups"
printf 'otherbot\0/a.pdf\0Content-Usage: train-ai=n\nUser-agent: otherbot\nDisallow: /*.pdf$\nCrawl-delay: 1e9\n\nUser-agent: *\nDisallow: /*.pdf$\nContent-Usage: train-ai=n\n' >"$r/wildcards"
printf 'harvest\0/news/today\0[{"location":"/news/*","tdm-reservation":1,"tdm-policy":"https://example.com/p.json"},{"location":"*","tdm-reservation":"0"}]' >"$r/tdmrep"
printf '\xef\xbb\xbfuser-agent: harvest\r\ndisallow: /\xc3\xa9*$\r\nallow: /%%C3%%A9x\r\n' >"$r/bom-crlf"

e=corpus/extract
printf '<html><head><title>T</title><meta name="robots" content="noai, noimageai"><meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="https://example.com/tdm"><meta http-equiv="refresh" content="0; url=/next"></head><body><nav>Home</nav><article><h1>Hi</h1><p>Body text, with a <a href="/x">link</a> and <code>code</code>.</p><ul><li>one<li>two</ul><table><tr><th>a<th>b<tr><td>1<td>2</table></article><footer>c</footer></body></html>' >"$e/article"
printf 'x-robots-tag: harvest: noai\ntdm-reservation: 1\n<html><head><base href="https://other.example/"><script type="application/ld+json">{"@type":"NewsArticle","headline":"H","author":{"name":"A"},"datePublished":"2024-01-02","articleBody":"Long body"}</script><meta property="og:site_name" content="S"><link rel="canonical" href="/c"><link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head><body><pre>  a\n  b</pre><blockquote><p>q</p></blockquote><img src="i.png" alt="alt"><a href="javascript:alert(1)">js</a></body></html>' >"$e/metadata"

c=corpus/charset
printf '\x00\x00<meta charset="windows-1252"><p>caf\xe9' >"$c/meta"
printf '\x1e\x00text/html; charset="ISO-8859-2"<p>\xb1\xe6' >"$c/header"
printf '\x00\x02\xcf\xfa\xe5\xf8\xfc \xe6\xe5 \xe5\xf9\xb8 \xfd\xf2\xe8\xf5 \xec\xff\xe3\xea\xe8\xf5' >"$c/detect-ru"
printf '\x00\x00\xff\xfeh\x00i\x00' >"$c/bom-utf16"
printf '\x00\x00<meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><p>\x93\xfa\x96\x7b' >"$c/http-equiv"

dir=/work/shared/data/extraction-eval/pages
n=${EVAL_PAGES:-40}
if [ -d "$dir" ] && [ "$n" -gt 0 ]; then
  i=0
  while IFS= read -r f && [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    # (gzip may die of SIGPIPE once head has read enough.)
    { gzip -dc "$dir/$f" || true; } | head -c 65536 >"$e/eval-$i"
    { printf '\x00\x00'; { gzip -dc "$dir/$f" || true; } | head -c 65534; } >"$c/eval-$i"
  done < <(ls "$dir")
fi
echo "seeds: $(ls corpus/robots | wc -l) robots, $(ls corpus/extract | wc -l) extract, $(ls corpus/charset | wc -l) charset"
