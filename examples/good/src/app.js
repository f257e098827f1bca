'use strict'

const Fastify = require('fastify')

function buildApp () {
  const app = Fastify({ logger: true })
  const todos = new Map()
  let nextId = 1

  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/todos', async () => [...todos.values()])

  app.post('/todos', async (request, reply) => {
    const todo = { id: nextId++, title: String(request.body?.title ?? ''), done: false }
    todos.set(todo.id, todo)
    reply.code(201)
    return todo
  })

  return app
}

module.exports = { buildApp }
