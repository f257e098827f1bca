'use strict'

const { buildApp } = require('./app')

const app = buildApp()
const port = Number(process.env.PORT || 3000)

app.listen({ port, host: '0.0.0.0' }).catch((error) => {
  app.log.error(error)
  process.exit(1)
})
