import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { decodeCursor, pageOf, toPage } from '../../platform/http/pagination.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import { createProduct } from './create-product.js'
import { toUtc } from './create-trip.js'
import { getProduct, listProducts } from './get-product.js'
import {
  CreateProductBody,
  newProduct,
  ProductIdParams,
  ProductQuery,
  ProductView,
  productView,
} from './product-schemas.js'

export function productRoutes(deps: DepsOf<typeof createProduct>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/products',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['products'],
          summary: 'Publish a product and the departures its schedule lays out (approved vendors)',
          security: bearer,
          body: CreateProductBody,
          response: { 201: ProductView, ...problems(400, 401, 403, 422) },
        },
      },
      async (request, reply) => {
        const { product, departures } = await createProduct(deps, actorOf(request), newProduct(request.body))
        const view = productView({
          product,
          departures: departures.map((t) => ({ ...t, tripId: t.id })),
          upcoming: departures.length,
        })
        return reply.status(201).header('location', `/api/v1/products/${product.id}`).send(view)
      },
    )

    app.get(
      '/products',
      {
        schema: {
          tags: ['products'],
          summary: 'The catalogue grouped by product: products with a departure to come, with the next ones',
          querystring: ProductQuery,
          response: { 200: pageOf(ProductView), ...problems(400) },
        },
      },
      async (request) => {
        const q = request.query
        const limit = q.limit ?? 20
        const after = decodeCursor(q.cursor, ['id']) as [string] | undefined
        const rows = await listProducts(deps, {
          q: q.q,
          location: q.location,
          vendorId: q.vendor_id,
          from: q.from && toUtc(q.from),
          to: q.to && toUtc(q.to),
          afterId: after?.[0],
          limit: limit + 1,
        })
        const page = toPage(rows, limit, (r) => [r.product.id])
        return { data: page.items.map(productView), next_cursor: page.nextCursor }
      },
    )

    app.get(
      '/products/:id',
      {
        schema: {
          tags: ['products'],
          summary: 'A product with its upcoming departures',
          params: ProductIdParams,
          response: { 200: ProductView, ...problems(400, 404) },
        },
      },
      async (request) => productView(await getProduct(deps, request.params.id)),
    )
  }
}
