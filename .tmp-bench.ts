const m = await import('./bench/llm.bench.ts');
const r = await m.run({ smoke: false });
console.log(r.markdown);
