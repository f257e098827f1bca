'use strict'

const { buildApp } = require('./app')

const app = buildApp()
const port = Number(process.env.PORT || 3000)

async function closeGracefully (signal) {
  app.log.info(`received ${signal}, closing`)
  await app.close()
  process.exit(0)
}

process.once('SIGTERM', closeGracefully)
process.once('SIGINT', closeGracefully)

app.listen({ port, host: '0.0.0.0' }).catch((error) => {
  app.log.error(error)
  process.exit(1)
})
