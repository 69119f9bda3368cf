-- pgmig schema file: the schema that the migrations of this project build at 0011_orders_status_idx,
-- one object per block, in PostgreSQL's own words.  Written by `pgmig schema`;
-- `pgmig verify` fails when the migrations no longer build exactly this.
-- Do not edit it: change the migrations, then run `pgmig schema` again.

SET check_function_bodies = false;

-- type public.payment_status
CREATE TYPE public.payment_status AS ENUM ('pending', 'paid', 'refunded');

-- table public.categories
CREATE TABLE public.categories (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    name text NOT NULL,
    slug text NOT NULL
);

-- table public.customers
CREATE TABLE public.customers (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    email text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

-- table public.invoices
CREATE TABLE public.invoices (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    order_id bigint NOT NULL,
    issued_at timestamp with time zone DEFAULT now() NOT NULL
);

-- table public.orders
CREATE TABLE public.orders (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    customer_id bigint NOT NULL,
    product_id bigint NOT NULL,
    quantity integer NOT NULL,
    total_cents integer NOT NULL,
    status public.payment_status DEFAULT 'pending'::public.payment_status NOT NULL
);

-- table public.products
CREATE TABLE public.products (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    sku text NOT NULL,
    name text NOT NULL,
    price_cents integer NOT NULL,
    category_id bigint
);

-- constraint public.categories.categories_name_key
ALTER TABLE public.categories ADD CONSTRAINT categories_name_key UNIQUE (name);

-- constraint public.categories.categories_pkey
ALTER TABLE public.categories ADD CONSTRAINT categories_pkey PRIMARY KEY (id);

-- constraint public.customers.customers_email_key
ALTER TABLE public.customers ADD CONSTRAINT customers_email_key UNIQUE (email);

-- constraint public.customers.customers_pkey
ALTER TABLE public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

-- constraint public.invoices.invoices_order_id_key
ALTER TABLE public.invoices ADD CONSTRAINT invoices_order_id_key UNIQUE (order_id);

-- constraint public.invoices.invoices_pkey
ALTER TABLE public.invoices ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);

-- constraint public.orders.orders_pkey
ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);

-- constraint public.orders.orders_quantity_check
ALTER TABLE public.orders ADD CONSTRAINT orders_quantity_check CHECK ((quantity > 0));

-- constraint public.products.products_pkey
ALTER TABLE public.products ADD CONSTRAINT products_pkey PRIMARY KEY (id);

-- constraint public.products.products_price_cents_check
ALTER TABLE public.products ADD CONSTRAINT products_price_cents_check CHECK ((price_cents >= 0));

-- constraint public.products.products_sku_key
ALTER TABLE public.products ADD CONSTRAINT products_sku_key UNIQUE (sku);

-- index public.orders_customer_idx
CREATE INDEX orders_customer_idx ON public.orders USING btree (customer_id);

-- index public.orders_status_idx
CREATE INDEX orders_status_idx ON public.orders USING btree (status);

-- foreign key public.invoices.invoices_order_id_fkey
ALTER TABLE public.invoices ADD CONSTRAINT invoices_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id) ON DELETE CASCADE;

-- foreign key public.orders.orders_customer_id_fkey
ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

-- foreign key public.orders.orders_product_id_fkey
ALTER TABLE public.orders ADD CONSTRAINT orders_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);

-- foreign key public.products.products_category_id_fkey
ALTER TABLE public.products ADD CONSTRAINT products_category_id_fkey FOREIGN KEY (category_id) REFERENCES public.categories(id);

-- view public.order_report
CREATE VIEW public.order_report AS
 SELECT o.id,
    c.email,
    p.name AS product,
    cat.slug AS category,
    o.quantity,
    o.total_cents,
    o.status
   FROM public.orders o
     JOIN public.customers c ON c.id = o.customer_id
     JOIN public.products p ON p.id = o.product_id
     LEFT JOIN public.categories cat ON cat.id = p.category_id;
