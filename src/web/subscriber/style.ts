/** The one stylesheet (served at /static/site.css): system fonts, readable from 320 px up, no framework. */
export const SITE_CSS = `
:root{--accent:#b0142c;--accent-dark:#8a0f22;--ink:#1d1d1f;--muted:#5f6368;--line:#e3e3e6;--bg:#f5f5f7;--card:#fff;
--ok-bg:#e7f5ec;--ok:#1d6b3a;--warn-bg:#fff4e0;--warn:#7a4b00;--err-bg:#fdeaea;--err:#9b1c1c;--radius:12px}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.top{background:var(--accent);color:#fff}
.bar{max-width:56rem;margin:0 auto;padding:.75rem 1rem;display:flex;align-items:center;justify-content:space-between;gap:1rem}
.brand{color:#fff;text-decoration:none;font-weight:700;font-size:1.15rem;display:flex;align-items:center;gap:.5rem}
.logo{display:inline-grid;place-items:center;width:2rem;height:2rem;border-radius:50%;background:rgba(255,255,255,.18);font-size:1rem}
.lang{color:#fff;font-size:.9rem;border:1px solid rgba(255,255,255,.6);border-radius:999px;padding:.2rem .75rem;text-decoration:none}
.nav{max-width:56rem;margin:0 auto;padding:0 .5rem;display:flex;gap:.25rem;overflow-x:auto}
.nav a{color:#fff;text-decoration:none;padding:.55rem .75rem;border-bottom:3px solid transparent;white-space:nowrap;font-size:.95rem}
.nav a[aria-current=page]{border-bottom-color:#fff;font-weight:600}
.main{max-width:56rem;margin:0 auto;padding:1.25rem 1rem 2rem}
h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .75rem}
.lead{color:var(--muted);margin:0 0 1.25rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.25rem;margin:0 0 1rem}
.narrow{max-width:26rem}
.cards{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr))}
.cards .card{display:flex;flex-direction:column;margin:0}
.cards .card p{flex:1;color:var(--muted);margin:.25rem 0 1rem}
.cards h2{margin:0}
label{display:block;font-weight:600;margin:0 0 .3rem}
.hint{display:block;font-weight:400;color:var(--muted);font-size:.85rem;margin-top:.1rem}
.field{margin:0 0 1rem}
form + .hint{margin-top:.9rem}
input[type=text],input[type=tel],input[type=password],input[type=search]{width:100%;font:inherit;padding:.65rem .75rem;border:1px solid #b8b8be;border-radius:8px;background:#fff;color:var(--ink)}
.check{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;margin:0 0 .75rem}
.check input{width:1.2rem;height:1.2rem;margin:.15rem 0 0;accent-color:var(--accent)}
.btn{display:inline-block;font:inherit;font-weight:600;padding:.65rem 1.25rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;text-align:center}
.btn:hover{background:var(--accent-dark)}
.btn.secondary{background:#fff;color:var(--accent)}
.btn.block{width:100%}
.linkish{background:none;border:0;padding:0;font:inherit;color:var(--accent);text-decoration:underline;cursor:pointer}
.notice{border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem}
.notice.ok{background:var(--ok-bg);color:var(--ok)}
.notice.warn{background:var(--warn-bg);color:var(--warn)}
.notice.error{background:var(--err-bg);color:var(--err)}
.inline{display:inline}
.who{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;margin:0 0 1rem;color:var(--muted)}
.search{display:flex;gap:.5rem;margin:0 0 1rem}
.search input{flex:1;min-width:0}
.msgs{list-style:none;margin:0;padding:0}
.msg{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:.75rem 1rem;margin:0 0 .6rem}
.msg.sent{border-left:4px solid var(--accent)}
.msg.received{border-left:4px solid #6b7280}
.meta{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem .75rem;font-size:.85rem;color:var(--muted);margin:0 0 .25rem}
.peer{font-weight:600;color:var(--ink)}
.body{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.tag{font-size:.75rem;border:1px solid var(--line);border-radius:999px;padding:0 .45rem}
.pager{display:flex;justify-content:space-between;align-items:center;gap:.5rem;margin:1rem 0;color:var(--muted);font-size:.9rem}
.ops{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);overflow:hidden}
.ops th,.ops td{text-align:left;padding:.6rem .75rem;border-bottom:1px solid var(--line);vertical-align:top}
.ops th{font-size:.85rem;color:var(--muted);font-weight:600;background:#fafafa}
.ops tr:last-child td{border-bottom:0}
.outcome-failed,.outcome-locked,.outcome-rate-limited{color:var(--err)}
details.danger{margin:1.25rem 0}
details.danger summary{cursor:pointer;color:var(--err);font-weight:600}
details.danger .card{margin-top:.75rem}
.parts img{display:block;max-width:100%;height:auto;border-radius:8px;margin:0 0 1rem}
.parts .text{white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.foot{max-width:56rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
@media (max-width:40rem){
 h1{font-size:1.3rem}
 .ops thead{display:none}
 .ops,.ops tbody{display:block;width:100%}
 .ops tr{display:grid;grid-template-columns:auto 1fr;grid-template-areas:"what via" "when result";gap:.1rem .75rem;padding:.6rem .85rem;border-bottom:1px solid var(--line)}
 .ops tr:last-child{border-bottom:0}
 .ops td{display:block;border:0;padding:0}
 .ops td.what{grid-area:what;font-weight:600}
 .ops td.result{grid-area:result;text-align:right;font-size:.85rem}
 .ops td.when{grid-area:when;color:var(--muted);font-size:.85rem}
 .ops td.via{grid-area:via;color:var(--muted);font-size:.85rem;text-align:right}
 .btn.wide-on-phone{width:100%}
}
`;
