// The system Chromium is used (see README); puppeteer must not try to download its own.
module.exports = { skipDownload: true };
