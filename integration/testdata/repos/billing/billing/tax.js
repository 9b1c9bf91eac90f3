// Value added tax for the web checkout.

function computeVatAmount(netPrice, countryCode) {
  const rates = { DE: 0.19, FR: 0.2, NL: 0.21 };
  return netPrice * (rates[countryCode] || 0);
}

module.exports = { computeVatAmount };
