/*
 * Jest leaves out the stack frames of Node.js internals, so an error without
 * a message that was raised inside Node.js shows as an empty failure. This
 * reporter prints such failures whole, with the error's own fields.
 */
const { inspect } = require('node:util');

// what is left of a message without a text once its stack frames are gone
const EMPTY_TITLE = /^\s*[\w.]*(Error|Exception)?:?\s*$/;

class RawFailureReporter {
  onTestResult(_test, result) {
    for (const assertion of result.testResults) {
      if (assertion.status !== 'failed') {
        continue;
      }
      assertion.failureMessages.forEach((message, index) => {
        const text = String(message)
          .split('\n')
          .filter(line => !/^\s*at\s/.test(line))
          .join('\n');
        if (!EMPTY_TITLE.test(text)) {
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
