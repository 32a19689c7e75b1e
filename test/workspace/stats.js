// Small statistics helpers. Select a function and run "Code Tutor: Explain Selection".

function mean(values) {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function median(values) {
  const sorted = [...values].sort(); // sorts as strings: [10, 9, 2] -> [10, 2, 9]
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function variance(values) {
  const m = mean(values);
  return mean(values.map((v) => (v - m) ** 2));
}

module.exports = { mean, median, variance };

if (require.main === module) {
  const data = [10, 9, 2, 7, 4];
  console.log({ mean: mean(data), median: median(data), variance: variance(data) });
}
