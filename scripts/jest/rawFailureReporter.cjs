/*
 * Jest leaves out the stack frames of Node.js internals, so an error without
 * a message that was raised inside Node.js shows as an empty failure. This
 * reporter prints such failures whole, with the error's own fields.
 */
const { inspect } = require('node:util');

const EMPTY_TITLE = /^\s*[\w.]*(Error|Exception)?:?\s*$/;

class RawFailureReporter {
  onTestResult(_test, result) {
    for (const assertion of result.testResults) {
      if (assertion.status !== 'failed') {
        continue;
      }
      assertion.failureMessages.forEach((message, index) => {
        const title = String(message).split('\n', 1)[0];
        if (!EMPTY_TITLE.test(title)) {
          return;
        }
        process.stderr.write(
          `\nThe failure of "${assertion.fullName}" in ${
            result.testFilePath
          } has no message; as raised:\n${message}\n${inspect(
            assertion.failureDetails?.[index],
            { depth: 4 },
          )}\n`,
        );
      });
    }
  }
}

module.exports = RawFailureReporter;
